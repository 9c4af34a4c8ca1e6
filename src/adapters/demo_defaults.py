"""The demo's defaults, apart from the generator so `csdomain --help` need not import it."""

DEFAULT_SEED = 20261
TOKENS_FILE = "csdomain-demo-tokens.tsv"
