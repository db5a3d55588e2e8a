# __NAME__

A Rampart app: notes in a database, pages from templates, sessions with CSRF protection, static
files.

## Develop

```sh
npm install
npm run dev          # applies the migrations, serves http://127.0.0.1:8000 and restarts on changes
npm test             # the tests in tests/, against an in-memory database
```

`.env` holds the development settings (it is not committed; `.env.example` lists them).

After changing `src/models.ts`: `npm run makemigrations`, read the new file in `migrations/`,
then `npm run migrate`.

Other commands: `npx rampart routes`, `npx rampart shell`, `npx rampart --help`.

## Deploy

```sh
npm run build        # rampart collectstatic: static files with hashed names into staticfiles/
npm run migrate
npm run check        # rampart check --deploy: fix every finding first
npm start            # rampart start: one worker per core, NODE_ENV=production
```

Production needs `SECRET_KEY`, `ALLOWED_HOSTS` and, behind TLS, `HTTPS=true` in the
environment (see `.env.example`). Run `npx rampart audit` in CI to fail on vulnerable
dependencies.
