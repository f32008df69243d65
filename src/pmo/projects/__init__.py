"""Projects and their initiation: charter, stakeholders, members, documents."""
