"""Cross-source alignment of comparable articles: pairs, facts and the published corpus."""
