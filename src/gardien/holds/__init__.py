"""Legal holds: what litigation or an authority freezes, whatever the retention rules say."""
