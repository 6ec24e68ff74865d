"""The contract admin's permission names."""

SEND_PERM = "contracts.send_contract"
