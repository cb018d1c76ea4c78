extensions = ["myst_parser", "sphinx_mlseq"]
myst_fence_as_directive = ["mlseq"]
numfig = True
project = "mlseq myst"
