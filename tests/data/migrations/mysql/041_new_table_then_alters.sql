-- expect: safe
CREATE TABLE feature_flags (id INT NOT NULL, name VARCHAR(50));
ALTER TABLE feature_flags ADD PRIMARY KEY (id);
ALTER TABLE feature_flags MODIFY name VARCHAR(120) NOT NULL;
UPDATE feature_flags SET name = LOWER(name);
