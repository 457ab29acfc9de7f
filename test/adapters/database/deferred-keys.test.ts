import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { addBackStatement, DEFER_MIN_ROW_BYTES, planDeferredKeys, withoutDeferredKeys } from '../../../src/adapters/database/deferred-keys.js'
import { connect, createTestDatabase } from './support.js'

const ITEMS = `CREATE TABLE \`order_items\` (
  \`id\` int(11) NOT NULL,
  \`order_id\` int(11) NOT NULL,
  \`inventory_id\` int(11) NOT NULL,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`pair\` (\`order_id\`,\`inventory_id\`),
  KEY \`order_id\` (\`order_id\`),
  KEY \`inventory_id\` (\`inventory_id\`) COMMENT 'lookups',
  CONSTRAINT \`order_items_ibfk_1\` FOREIGN KEY (\`order_id\`) REFERENCES \`orders\` (\`id\`),
  CONSTRAINT \`order_items_ibfk_2\` FOREIGN KEY (\`inventory_id\`) REFERENCES \`inventory\` (\`id\`) ON DELETE CASCADE,
  CONSTRAINT \`qty_positive\` CHECK (\`id\` > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`

const ORDERS = `CREATE TABLE \`orders\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`client_id\` int(11) NOT NULL,
  PRIMARY KEY (\`id\`),
  KEY \`client_id\` (\`client_id\`)
) ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=utf8mb4`

const BIG = DEFER_MIN_ROW_BYTES
const sizes = (names: string[], bytes = BIG) => new Map(names.map((n) => [n, bytes]))

describe('secondary indexes built after the rows', () => {
  it('takes the plain keys and every foreign key out of a large InnoDB table, and puts them back in their order', () => {
    const plans = planDeferredKeys([{ name: 'order_items', definition: ITEMS }, { name: 'orders', definition: ORDERS }], sizes(['order_items', 'orders']))
    assert.deepEqual(plans.get('order_items'), [
      "KEY `order_id` (`order_id`)",
      "KEY `inventory_id` (`inventory_id`) COMMENT 'lookups'",
      'CONSTRAINT `order_items_ibfk_1` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`)',
      'CONSTRAINT `order_items_ibfk_2` FOREIGN KEY (`inventory_id`) REFERENCES `inventory` (`id`) ON DELETE CASCADE',
    ])
    assert.deepEqual(plans.get('orders'), ['KEY `client_id` (`client_id`)'])
    assert.equal(
      addBackStatement('order_items', plans.get('order_items')!),
      "ALTER TABLE `order_items` ADD KEY `order_id` (`order_id`), ADD KEY `inventory_id` (`inventory_id`) COMMENT 'lookups', ADD CONSTRAINT `order_items_ibfk_1` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`), ADD CONSTRAINT `order_items_ibfk_2` FOREIGN KEY (`inventory_id`) REFERENCES `inventory` (`id`) ON DELETE CASCADE",
    )
  })

  it('rewrites only the planned tables\' CREATE TABLE, with the commas right where the last lines went', () => {
    const plans = planDeferredKeys([{ name: 'order_items', definition: ITEMS }], sizes(['order_items']))
    const dump = `DROP TABLE IF EXISTS \`order_items\`;\n${ITEMS};\n\n${ORDERS.replace('`orders`', '`other`')};\n`
    const out = withoutDeferredKeys(dump, plans)
    assert.equal(
      out.split(';\n')[1],
      `CREATE TABLE \`order_items\` (
  \`id\` int(11) NOT NULL,
  \`order_id\` int(11) NOT NULL,
  \`inventory_id\` int(11) NOT NULL,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`pair\` (\`order_id\`,\`inventory_id\`),
  CONSTRAINT \`qty_positive\` CHECK (\`id\` > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`,
    )
    assert.ok(out.includes(ORDERS.replace('`orders`', '`other`')), 'another table is left as it is')
    const lastLines = withoutDeferredKeys(ORDERS, new Map([['orders', ['KEY `client_id` (`client_id`)']]]))
    assert.match(lastLines, /PRIMARY KEY \(`id`\)\n\) ENGINE=InnoDB/)
  })

  it('leaves small tables, and tables it could not put back exactly, whole', () => {
    const none = (definition: string, others: { name: string; definition: string }[] = []) => {
      const name = /CREATE TABLE `([^`]+)`/.exec(definition)![1]!
      return planDeferredKeys([{ name, definition }, ...others], sizes([name])).get(name)
    }
    assert.equal(planDeferredKeys([{ name: 'orders', definition: ORDERS }], sizes(['orders'], BIG - 1)).size, 0)
    assert.equal(none(ORDERS.replace('ENGINE=InnoDB', 'ENGINE=MyISAM')), undefined)
    assert.equal(none(ORDERS.replace('DEFAULT CHARSET=utf8mb4', 'DEFAULT CHARSET=utf8mb4\n PARTITION BY HASH (`id`) PARTITIONS 4')), undefined)
    assert.equal(none(ORDERS.replace('  KEY `client_id`', '  FULLTEXT KEY `ft` (`note`),\n  KEY `client_id`')), undefined)
    assert.equal(none(ORDERS.replace('  PRIMARY KEY (`id`),\n', '')), undefined, 'no primary key')
    // The AUTO_INCREMENT column's only key is a plain one: the table could not be created without it.
    assert.equal(none(ORDERS.replace('PRIMARY KEY (`id`)', 'PRIMARY KEY (`client_id`)').replace('KEY `client_id` (`client_id`)', 'KEY `by_id` (`id`)')), undefined)
    // Another table's foreign key points at a column that is not this one's primary key.
    const child = { name: 'child', definition: 'CREATE TABLE `child` (\n  `id` int(11) NOT NULL,\n  `c` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  CONSTRAINT `f` FOREIGN KEY (`c`) REFERENCES `orders` (`client_id`)\n) ENGINE=InnoDB' }
    assert.equal(none(ORDERS, [child]), undefined)
    const toPrimary = { ...child, definition: child.definition.replace('(`client_id`)', '(`id`)') }
    assert.deepEqual(none(ORDERS, [toPrimary]), ['KEY `client_id` (`client_id`)'])
  })
})

describe('secondary indexes put back on a real server', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  before(async () => {
    db = await createTestDatabase('dk')
  })
  after(async () => {
    await db.drop()
  })

  it('gives back the same definition for every kind of key it takes out', async () => {
    const conn = await connect(db.url)
    try {
      await conn.query(`CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;
        CREATE TABLE shapes (
          id INT NOT NULL AUTO_INCREMENT, a INT, b INT, c VARCHAR(50), d INT AS (a + 1) VIRTUAL, p INT,
          PRIMARY KEY (id), UNIQUE KEY ub (b), KEY ka (a), KEY kc (c(10)) COMMENT 'prefix', KEY kd (d), KEY kac (a DESC, c) IGNORED,
          CONSTRAINT to_parent FOREIGN KEY (p) REFERENCES parent (id) ON DELETE CASCADE, CONSTRAINT positive CHECK (a >= 0)
        ) ENGINE=InnoDB`)
      const show = async (table: string) => ((await conn.query(`SHOW CREATE TABLE \`${table}\``)) as unknown as [Record<string, string>[]])[0][0]!['Create Table']!
      const original = await show('shapes')
      const plans = planDeferredKeys([{ name: 'shapes', definition: original }, { name: 'parent', definition: await show('parent') }], sizes(['shapes']))
      // Four plain keys, the one InnoDB made for the foreign key, and the foreign key.
      assert.equal(plans.get('shapes')!.length, 6)
      await conn.query('DROP TABLE shapes')
      await conn.query(withoutDeferredKeys(original, plans))
      assert.doesNotMatch(await show('shapes'), /KEY `ka`|to_parent/)
      await conn.query('INSERT INTO parent VALUES (1); INSERT INTO shapes (a, b, c, p) VALUES (1, 1, "x", 1), (2, 2, "y", 1)')
      await conn.query('SET SESSION foreign_key_checks = 0')
      await conn.query(addBackStatement('shapes', plans.get('shapes')!))
      assert.equal((await show('shapes')).replace(/ AUTO_INCREMENT=\d+/, ''), original.replace(/ AUTO_INCREMENT=\d+/, ''))
    } finally {
      await conn.end()
    }
  })
})
