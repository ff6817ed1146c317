"""Generated gRPC and protobuf code for sourcing.v1 (never edited by hand)."""
