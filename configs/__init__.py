"""The toolkit's defaults (defaults.yaml), shipped inside the installed package as `mt.configs`."""
