"""Evidence: pattern checks, validation, regime comparison, calibration and sensitivity."""
