/** Verified MySQL/MariaDB backups, their catalog, and restores. Loads mysql2 only when used. */
export { createBackup, type CreateBackupOptions, type CreatedBackup } from './create-backup.js'
export { verifyBackup, type VerifyOptions, type VerifyOutcome } from './verify-backup.js'
export { restoreBackup, RestoreProofError, type RestoreOptions, type RestoreReport, type TableProof } from './restore-backup.js'
export { listBackups, newestVerified, pruneBackups, findBackup, type BackupEntry, type PruneOptions } from './catalog.js'
export { backupStatus, readManifest, type BackupManifest, type TableEntry, type VerificationResult } from './manifest.js'
export { DatabaseError, type DatabaseFailure } from './errors.js'
export { parseMysqlUrl, type MysqlTarget } from './url.js'
export type { DatabaseProgress, ProgressListener } from './progress.js'
