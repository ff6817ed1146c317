"""What the retailer configures: locations, networks, catalogues, products, customers,
sourcing profiles, and the per-process candidate cache built from them."""
