import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DumpScanner, scanDump } from '../../../src/adapters/database/dump-scanner.js'
import { planReplay, selectPieces, slicePieces } from '../../../src/adapters/database/replay-plan.js'
import { planReversal } from '../../../src/adapters/database/reverse-alter.js'
import { disableEvents, extractCreateTable, normalizeDefinition, renameSchema, stripDefiners } from '../../../src/adapters/database/sql-rewrite.js'
import { parseMysqlUrl } from '../../../src/adapters/database/url.js'
import { defaultsFileText } from '../../../src/adapters/database/defaults-file.js'
import { dumpArguments, parseServerVersion, parseToolVersion } from '../../../src/adapters/database/tools.js'
import { DUMP } from './dump-fixture.js'

describe('dump scanner', () => {
  const scan = scanDump(DUMP)

  it('finds each section, the data part of each table and the footer', () => {
    assert.deepEqual(scan.sections.map((s) => [s.kind, s.name]), [
      ['table', 'a'],
      ['table', 'we`ird'],
      ['view-standin', 'v'],
      ['routines', 'shop'],
      ['view', 'v'],
    ])
    assert.equal(scan.completed, true)
    const a = scan.sections[0]!
    assert.ok(DUMP.slice(a.start).startsWith('--\n-- Table structure for table `a`'))
    assert.ok(DUMP.slice(a.data!.start, a.data!.end).startsWith('--\n-- Dumping data for table `a`'))
    assert.ok(DUMP.slice(a.data!.start, a.data!.end).endsWith('UNLOCK TABLES;\n'))
    assert.match(DUMP.slice(a.data!.end, a.end), /TRIGGER ta/)
    assert.ok(DUMP.slice(scan.footer.start).startsWith('/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;'))
    assert.equal(scan.header.end, a.start)
    assert.equal(scan.sections[4]!.end, scan.footer.start)
    assert.match(a.text, /CREATE TABLE `a`/)
    assert.doesNotMatch(a.text, /INSERT INTO/, 'rows are not kept in memory')
  })

  it('is not fooled by markers inside quoted strings (the tool writes no raw line break in a value)', () => {
    const weird = scan.sections[1]!
    assert.equal(weird.name, 'we`ird')
    assert.ok(DUMP.slice(weird.data!.end - 40, weird.data!.end).endsWith("nUNLOCK TABLES;');\nUNLOCK TABLES;\n"))
  })

  it('gives the same result whatever the chunk sizes', () => {
    const bytes = Buffer.from(DUMP)
    for (const size of [1, 2, 7, 64, 1000, 5000]) {
      const scanner = new DumpScanner()
      for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size))
      assert.deepEqual(scanner.finish(), scan, `chunks of ${size}`)
    }
  })

  it('counts each table\'s rows as they pass, over every statement of its data part', () => {
    assert.deepEqual(scan.sections.map((s) => [s.name, s.rows]), [['a', 2], ['we`ird', 1], ['v', null], ['shop', null], ['v', null]])
    const twoStatements = scanDump(DUMP.replace('(2);\n', '(2);\nINSERT INTO `a` VALUES\n(3),\n(4);\n'))
    assert.equal(twoStatements.sections[0]!.rows, 4)
  })

  it('leaves the rows uncounted where a statement keeps them on its own line (MySQL\'s mysqldump)', () => {
    const mysqlForm = scanDump(DUMP.replace('INSERT INTO `a` VALUES\n(1),\n(2);', 'INSERT INTO `a` VALUES (1),(2);'))
    assert.deepEqual(mysqlForm.sections.slice(0, 2).map((s) => [s.name, s.rows]), [['a', null], ['we`ird', 1]])
  })

  it('says a dump cut short is not complete', () => {
    const cut = scanDump(DUMP.slice(0, DUMP.indexOf('(2);')))
    assert.equal(cut.completed, false)
    assert.equal(cut.sections.length, 1)
  })
})

describe('replay plan', () => {
  const scan = scanDump(DUMP)
  const manifest = { layout: { header: scan.header, footer: scan.footer, sections: scan.sections } }

  async function replayText(tables: Set<string> | null, rewrite: ((s: string) => string) | null = null, rows = true, rowsOf?: Set<string>): Promise<string> {
    const bytes = Buffer.from(DUMP)
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 13) yield bytes.subarray(i, i + 13)
    }
    const out: Buffer[] = []
    for await (const b of selectPieces(slicePieces(chunks(), planReplay(manifest, tables, { rows, ...(rowsOf ? { rowsOf } : {}) })), rewrite)) out.push(b)
    return Buffer.concat(out).toString()
  }

  it('replays the whole dump byte for byte when every table is wanted', async () => {
    assert.equal(await replayText(null), DUMP)
  })

  it('replays one table with its data, only the triggers of the others, and every view and routine', async () => {
    const text = await replayText(new Set(['we`ird']))
    assert.match(text, /^\/\*M!999999/)
    assert.match(text, /CREATE TABLE `we``ird`/)
    assert.doesNotMatch(text, /CREATE TABLE `a`/)
    assert.doesNotMatch(text, /INSERT INTO `a`/)
    assert.match(text, /TRIGGER ta/)
    assert.match(text, /PROCEDURE `p`/)
    assert.match(text, /Final view structure/)
    assert.match(text, /-- Dump completed\n$/)
  })

  it('without rows replays the schema alone: tables, their triggers, views and routines, no data part', async () => {
    const text = await replayText(null, null, false)
    assert.match(text, /CREATE TABLE `a`/)
    assert.match(text, /CREATE TABLE `we``ird`/)
    assert.doesNotMatch(text, /INSERT INTO/)
    assert.doesNotMatch(text, /LOCK TABLES/)
    assert.match(text, /TRIGGER ta/)
    assert.match(text, /PROCEDURE `p`/)
    assert.match(text, /Final view structure/)
    assert.match(text, /-- Dump completed\n$/)
  })

  it('without rows still replays the rows of the tables named (a migration tool\'s history)', async () => {
    const text = await replayText(null, null, false, new Set(['a']))
    assert.match(text, /INSERT INTO `a`/)
    assert.doesNotMatch(text, /INSERT INTO `we``ird`/)
  })

  it('rewrites statements but never rows', async () => {
    const text = await replayText(null, (s) => s.replace(/shop/g, 'SHOP').replace(/--/g, '//'))
    assert.match(text, /INSERT INTO `we``ird` VALUES\n\('--\\n-- Table structure/)
    assert.match(text, /`SHOP`\.`a`/)
  })
})

describe('statement rewrites', () => {
  it('strips DEFINER from triggers, views, routines and events', () => {
    assert.equal(stripDefiners('/*!50003 CREATE*/ /*!50017 DEFINER=`app`@`%`*/ /*!50003 TRIGGER'), '/*!50003 CREATE*/ /*!50017 */ /*!50003 TRIGGER')
    assert.equal(stripDefiners('/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */'), '/*!50013 SQL SECURITY DEFINER */')
    assert.equal(stripDefiners('CREATE DEFINER=`we``ird`@`10.0.%` PROCEDURE `p`()'), 'CREATE PROCEDURE `p`()')
    assert.equal(stripDefiners("CREATE DEFINER='app'@'%' FUNCTION f()"), 'CREATE FUNCTION f()')
    assert.equal(stripDefiners('/*!50106 CREATE*/ /*!50117 DEFINER=`root`@`127.0.0.1`*/ /*!50106 EVENT'), '/*!50106 CREATE*/ /*!50117 */ /*!50106 EVENT')
  })

  it('renames qualified references to the schema only', () => {
    assert.equal(renameSchema('select `shop`.`a`.`id` from `a` where `shopping`.`x`', 'shop', 'copy'), 'select `copy`.`a`.`id` from `a` where `shopping`.`x`')
  })

  it('creates events disabled in a scratch copy', () => {
    assert.match(disableEvents("EVENT `ev` ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01' ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM m"), /PRESERVE DISABLE DO DELETE/)
  })

  it('compares definitions without the AUTO_INCREMENT counter', () => {
    const create = extractCreateTable(scanDump(DUMP).sections[0]!.text)!
    assert.match(create, /^CREATE TABLE `a` \([\s\S]*\) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4$/)
    assert.equal(normalizeDefinition(create), normalizeDefinition(create.replace('AUTO_INCREMENT=4', 'AUTO_INCREMENT=99')))
    assert.notEqual(normalizeDefinition(create), normalizeDefinition(create.replace('int(11)', 'bigint(20)')))
  })
})

describe('connection details', () => {
  it('parses a database URL with encoded parts', () => {
    assert.deepEqual(parseMysqlUrl('mysql://app%40x:p%40ss%3Aw%2Frd@db.example:3307/terp_staging?ssl=true'), {
      user: 'app@x',
      password: 'p@ss:w/rd',
      host: 'db.example',
      port: 3307,
      database: 'terp_staging',
      params: { ssl: 'true' },
    })
    assert.throws(() => parseMysqlUrl('postgres://u:secretpw@h/db'), (e: Error) => /mysql:\/\//.test(e.message) && !e.message.includes('secretpw'))
  })

  it('quotes the password in the option file so any character survives', () => {
    const text = defaultsFileText(parseMysqlUrl('mysql://u:a%22b%5Cc%23d%20e@h:1/db'))
    assert.match(text, /^password="a\\"b\\\\c#d e"$/m)
    assert.match(text, /^protocol=TCP$/m)
  })

  it('tells MariaDB and MySQL servers and tools apart, and keeps MySQL-only flags from MariaDB tools', () => {
    assert.deepEqual(parseServerVersion('10.11.19-MariaDB-0+deb12u1', 'Debian 12'), { flavor: 'mariadb', version: '10.11.19', versionString: '10.11.19-MariaDB-0+deb12u1', versionComment: 'Debian 12' })
    assert.equal(parseServerVersion('8.0.36', 'MySQL Community Server - GPL').flavor, 'mysql')
    assert.equal(parseServerVersion('5.5.5-10.6.12-MariaDB', '').version, '10.6.12')
    const maria = parseToolVersion('mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)')!
    const mysql8 = parseToolVersion('mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)')!
    const mysql57 = parseToolVersion('mysqldump  Ver 10.13 Distrib 5.7.44, for Linux (x86_64)')!
    assert.deepEqual([maria, mysql8, mysql57], [{ flavor: 'mariadb', version: '10.11.19' }, { flavor: 'mysql', version: '8.0.36' }, { flavor: 'mysql', version: '5.7.44' }])
    const m = dumpArguments({ path: '/usr/bin/mariadb-dump', ...maria }, '/tmp/x.cnf', 'db')
    const y = dumpArguments({ path: '/usr/bin/mysqldump', ...mysql8 }, '/tmp/x.cnf', 'db')
    assert.equal(m[0], '--defaults-extra-file=/tmp/x.cnf')
    assert.ok(!m.some((a) => a.startsWith('--set-gtid-purged') || a.startsWith('--column-statistics')))
    assert.ok(y.includes('--set-gtid-purged=OFF') && y.includes('--column-statistics=0'))
    assert.equal(m.at(-1), 'db')
  })
})

describe('reverting additive changes', () => {
  const original = 'CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `a` varchar(10) DEFAULT NULL,\n  `b` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  KEY `kb` (`b`),\n  CONSTRAINT `fk1` FOREIGN KEY (`b`) REFERENCES `t` (`id`)\n) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4'
  const added = 'CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `a` varchar(10) DEFAULT NULL,\n  `c``x` int(11) DEFAULT NULL,\n  `b` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `uc` (`c``x`),\n  KEY `kb` (`b`),\n  CONSTRAINT `fk1` FOREIGN KEY (`b`) REFERENCES `t` (`id`),\n  CONSTRAINT `fk2` FOREIGN KEY (`c``x`) REFERENCES `t` (`id`)\n) ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=utf8mb4'

  it('drops added foreign keys first, then added indexes and columns', () => {
    assert.deepEqual(planReversal('t', original, added), ['ALTER TABLE `t` DROP FOREIGN KEY `fk2`', 'ALTER TABLE `t` DROP INDEX `uc`, DROP COLUMN `c``x`'])
  })

  it('plans nothing for changes that dropping cannot undo', () => {
    assert.equal(planReversal('t', original, original.replace('varchar(10)', 'varchar(20)')), null, 'a changed column')
    assert.equal(planReversal('t', original, original.replace('  `b` int(11) DEFAULT NULL,\n', '').replace('KEY `kb` (`b`)', 'KEY `kb` (`a`)')), null, 'a dropped column')
    assert.equal(planReversal('t', original, original.replace('ENGINE=InnoDB', 'ENGINE=MyISAM')), null, 'other table options')
    assert.equal(planReversal('t', original, original), null, 'nothing added')
  })
})
