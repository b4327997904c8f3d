-- expect: unsafe rename-table
RENAME TABLE user_prefs TO user_preferences;
