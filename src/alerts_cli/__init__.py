"""The alerts command-line tools: they read files or talk to a deployed stack; nothing here runs in Lambda."""  # noqa: E501
