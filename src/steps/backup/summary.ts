import type { BackupManifest } from '../../adapters/database/manifest.js'
import { backupStatus } from '../../adapters/database/manifest.js'

/** The manifest as evidence: everything a reviewer checks, without byte offsets and full definitions. */
export function manifestSummary(m: BackupManifest) {
  const { status, level, problems } = backupStatus(m)
  return {
    id: m.id,
    file: m.file,
    database: m.database,
    createdAt: m.createdAt,
    durationMs: m.durationMs,
    server: `${m.server.flavor} ${m.server.versionString} (${m.server.versionComment}) at ${m.server.host}:${m.server.port}`,
    tool: `${m.tool.name} ${m.tool.version}`,
    compression: m.compression,
    encryption: m.encryption ? `${m.encryption.algorithm}, key from $${m.encryption.keyEnv} (id ${m.encryption.keyId})` : 'none',
    sizeBytes: m.sizeBytes,
    dumpBytes: m.dumpBytes,
    sha256: m.sha256,
    checksums: m.consistency.checksums + (m.consistency.note ? ` (${m.consistency.note})` : ''),
    schemaFingerprint: m.schemaFingerprint,
    objects: m.objects,
    tables: m.tables.map((t) => ({ name: t.name, engine: t.engine, rows: t.rows, checksum: t.checksum, triggers: t.triggers, dumpBytes: t.range.end - t.range.start })),
    status,
    verified: level,
    problems,
    verifications: m.verifications,
  }
}

/** The data a backup step leaves for later steps and for the migrate step's undo. */
export function backupData(m: BackupManifest, paths: { path: string; manifestPath: string; dir: string }) {
  return {
    id: m.id,
    path: paths.path,
    manifestPath: paths.manifestPath,
    dir: paths.dir,
    database: m.database,
    sizeBytes: m.sizeBytes,
    dumpBytes: m.dumpBytes,
    sha256: m.sha256,
    tables: m.tables.length,
    durationMs: m.durationMs,
    schemaFingerprint: m.schemaFingerprint,
    encrypted: m.encryption !== null,
  }
}

