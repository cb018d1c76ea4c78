extensions = ["sphinx_mlseq"]
project = "mlseq templates"
mlseq_template_dirs = ["team"]
mlseq_theme = "neutral"
