extensions = ["sphinx_mlseq"]
project = "mlseq errors"
