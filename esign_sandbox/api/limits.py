"""The limits of the CloudSign Web API as the sandbox enforces them (read at call time, so
that a test may lower one)."""

TOKEN_SECONDS = 3600
# The specification says "20MB" and "50MB" without saying which megabyte; the sandbox applies
# the decimal reading (10**6 bytes), the smaller, so that what passes here passes at CloudSign
# whichever it means (esign.limits checks the same before sending).
MB = 1000 * 1000
MAX_REQUEST_BYTES = 20 * MB
MAX_DOCUMENT_BYTES = 50 * MB
MAX_FILES = 100
MAX_RECIPIENTS = 128
PAGE_SIZE = 100
