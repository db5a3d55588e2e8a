# Settings, read from the environment. In development, copy this file to .env (never commit .env);
# in production, set them in the environment of the process.
# NODE_ENV=production
# SECRET_KEY=   (32+ random bytes: node -e "console.log(require('node:crypto').randomBytes(48).toString('base64url'))")
# ALLOWED_HOSTS=example.com,www.example.com
# HTTPS=true    (served over TLS, directly or behind a proxy listed in TRUSTED_PROXIES)
# TRUSTED_PROXIES=loopback
# DATABASE_URL=sqlite:./db.sqlite3   (or postgres://user:password@host/db, mysql://...)
# PORT=8000
# HOST=127.0.0.1
