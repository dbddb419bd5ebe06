"""Language tools the formats share: HTML to text, sentences, language detection, countries
and places, hotlines."""
