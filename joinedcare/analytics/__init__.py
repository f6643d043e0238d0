"""Analytics: schema -> features -> scores -> model -> outputs, on DuckDB or Spark (no Django)."""
