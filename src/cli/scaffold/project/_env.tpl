# Development settings (not committed). Production reads the real environment instead.
SECRET_KEY=__SECRET_KEY__
