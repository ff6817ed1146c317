"""The database itself: engines and sessions, migrations, the one retry on a lost race,
the declarative base and column types, the status vocabularies, and the domain errors."""
