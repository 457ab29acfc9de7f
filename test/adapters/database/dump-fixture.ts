/** The shape of a mariadb-dump 10.11 file, cut down: header, two tables (one with a trigger), a view, routines, footer. */
export const DUMP = `/*M!999999\\- enable the sandbox mode */ 
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: 127.0.0.1    Database: shop
-- ------------------------------------------------------
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;

--
-- Table structure for table \`a\`
--

DROP TABLE IF EXISTS \`a\`;
CREATE TABLE \`a\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4;

--
-- Dumping data for table \`a\`
--

LOCK TABLES \`a\` WRITE;
INSERT INTO \`a\` VALUES
(1),
(2);
UNLOCK TABLES;
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=\`app\`@\`%\`*/ /*!50003 TRIGGER ta BEFORE INSERT ON a FOR EACH ROW SET NEW.id = NEW.id */;;
DELIMITER ;

--
-- Table structure for table \`we\`\`ird\`
--

DROP TABLE IF EXISTS \`we\`\`ird\`;
CREATE TABLE \`we\`\`ird\` (
  \`x\` varchar(10) DEFAULT '--\\n-- Table structure for table \`fake\`'
) ENGINE=MyISAM;

--
-- Dumping data for table \`we\`\`ird\`
--

LOCK TABLES \`we\`\`ird\` WRITE;
INSERT INTO \`we\`\`ird\` VALUES
('--\\n-- Table structure for table \`fake\`\\nUNLOCK TABLES;');
UNLOCK TABLES;

--
-- Temporary table structure for view \`v\`
--

/*!50001 CREATE VIEW \`v\` AS SELECT 1 AS \`id\` */;

--
-- Dumping routines for database 'shop'
--
/*!50003 DROP PROCEDURE IF EXISTS \`p\` */;
DELIMITER ;;
CREATE DEFINER=\`root\`@\`localhost\` PROCEDURE \`p\`()
BEGIN SELECT * FROM \`shop\`.\`a\`; END ;;
DELIMITER ;

--
-- Final view structure for view \`v\`
--

/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=\`root\`@\`localhost\` SQL SECURITY DEFINER */
/*!50001 VIEW \`v\` AS select \`shop\`.\`a\`.\`id\` AS \`id\` from \`a\` */;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;

-- Dump completed
`
