"""Orders and fulfilments, and the use cases that change them: source, reassign, picks,
shipping, cancellation, revisions, returns and the SLA sweep."""
