<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} · __NAME__</title>
<link rel="stylesheet" href="{{ static('css/app.css') }}">
</head>
<body>
<main>
{% block content %}{% endblock %}
</main>
</body>
</html>
