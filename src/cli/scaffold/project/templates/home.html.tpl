{% extends "base.html" %}
{% block title %}Notes{% endblock %}
{% block content %}
<h1>Notes</h1>
{# A POST form: the engine adds the hidden CSRF field itself. #}
<form method="post" action="{{ url_for('addNote') }}">
  <label for="text">New note</label>
{% if error %}
  <p class="error">{{ error }}</p>
{% endif %}
  <textarea id="text" name="text" maxlength="{{ max_note_length }}" required>{{ value }}</textarea>
  <button type="submit">Add</button>
</form>
<ul>
{% for note in notes %}
  <li>{{ note.text }}</li>
{% else %}
  <li>No notes yet.</li>
{% endfor %}
</ul>
{% endblock %}
