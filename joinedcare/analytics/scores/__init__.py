"""Published clinical scores, each implemented from its paper and cited in its module.

Every score has a plain-Python reference on one person's inputs and an Ibis builder that
scores a whole population on any engine: `efi`, `hfrs`, `charlson`, `lace`.
"""
