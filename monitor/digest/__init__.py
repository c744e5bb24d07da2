"""The digest: its data, rendering with templates, delivery, alert bookkeeping."""
