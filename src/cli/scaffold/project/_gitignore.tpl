node_modules/
.env
db.sqlite3*
staticfiles/
