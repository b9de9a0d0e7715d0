"""What several demos draw: the demo page, plotting helpers, shared views."""
