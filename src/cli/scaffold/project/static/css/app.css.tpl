body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
textarea { display: block; width: 100%; min-height: 4rem; }
.error { color: #b00020; }
