"""Who may call what: permissions and roles, credentials, the auth interceptor, store scope."""
