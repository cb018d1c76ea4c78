extensions = ["sphinx_mlseq"]
project = "mlseq lint"
