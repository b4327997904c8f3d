-- expect: unsafe rename-table
SET lock_timeout = '2s';
ALTER TABLE user_prefs RENAME TO user_preferences;
