-- expect: safe
UPDATE users SET locale = 'en' WHERE locale IS NULL LIMIT 5000;
