"""Deployment defaults shared by the services and the settings, kept free of imports so that
reading them costs a function nothing at cold start."""

MINISTRY_COUNTRY = "KG"
MINISTRY_SOURCE = "mfa-kg"
# A free-text post without a level: "exercise increased caution".
DEFAULT_POST_LEVEL = 2
