"""Information returns (1099-MISC, 1099-NEC, W-2G) read from and written to upload file formats."""
