"""One page renderer per platform; each module follows ``replica.model.Renderer``."""
