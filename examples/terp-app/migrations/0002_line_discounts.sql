ALTER TABLE `order_lines` ADD `discount_cents` int NOT NULL DEFAULT 0;
--> statement-breakpoint
UPDATE `order_lines` `l` JOIN `orders` `o` ON `o`.`id` = `l`.`order_id` JOIN `clients` `c` ON `c`.`id` = `o`.`client_id`
SET `l`.`discount_cents` = ROUND(`l`.`qty` * `l`.`unit_price_cents` * 0.05) WHERE `c`.`tier` = 'gold';
