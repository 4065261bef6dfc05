"""Glass-box models: trained here, on the study corpus, so their data is known exactly."""
