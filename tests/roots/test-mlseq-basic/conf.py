extensions = ["sphinx_mlseq"]
numfig = True
project = "mlseq test"
