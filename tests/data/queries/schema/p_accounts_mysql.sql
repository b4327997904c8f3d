CREATE TABLE accounts (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email varchar(255) NOT NULL,
  phone varchar(20) DEFAULT NULL,
  created_at datetime NOT NULL,
  UNIQUE KEY accounts_email (email),
  KEY accounts_phone (phone)
) ENGINE=InnoDB;
