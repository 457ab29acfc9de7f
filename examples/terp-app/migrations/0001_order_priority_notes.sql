ALTER TABLE `orders` ADD `priority` varchar(10) NOT NULL DEFAULT 'normal';
--> statement-breakpoint
CREATE TABLE `order_notes` (
	`id` int AUTO_INCREMENT NOT NULL,
	`order_id` int NOT NULL,
	`author` varchar(120) NOT NULL,
	`body` text NOT NULL,
	`created_at` datetime NOT NULL,
	CONSTRAINT `order_notes_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `order_notes` ADD CONSTRAINT `order_notes_order_id_orders_id_fk` FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
UPDATE `orders` `o` JOIN `clients` `c` ON `c`.`id` = `o`.`client_id` SET `o`.`priority` = 'high' WHERE `c`.`tier` = 'vip' AND `o`.`status` IN ('open', 'picking');
--> statement-breakpoint
INSERT INTO `order_notes` (`order_id`, `author`, `body`, `created_at`)
SELECT `id`, 'Account team', 'VIP account: handle before other open orders.', `placed_at` FROM `orders` WHERE `priority` = 'high';
