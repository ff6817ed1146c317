"""gRPC servicers, proto<->domain conversion, errors, interceptors and the app."""
