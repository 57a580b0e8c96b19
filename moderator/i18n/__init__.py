"""Languages: the supported locales, the gettext catalogs and the States' names in each language."""
