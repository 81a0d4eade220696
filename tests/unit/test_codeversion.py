from analyze import __version__
from analyze.codeversion import code_version, files_digest


def _tree(root):
    (root / "analyze" / "__pycache__").mkdir(parents=True)
    (root / "collect").mkdir()
    (root / "analyze" / "stage.py").write_text("X = 1\n")
    (root / "collect" / "io.py").write_text("Y = 2\n")
    return root


def test_the_digest_follows_every_file_of_the_packages_but_not_bytecode(tmp_path):
    root = _tree(tmp_path)
    first = files_digest(root)
    (root / "analyze" / "__pycache__" / "stage.cpython-311.pyc").write_bytes(b"\x00")
    (root / "other.py").write_text("not in a package\n")
    assert files_digest(root) == first
    (root / "analyze" / "stage.py").write_text("X = 2\n")
    assert files_digest(root) != first
    (root / "analyze" / "stage.py").write_text("X = 1\n")
    (root / "collect" / "io.py").rename(root / "collect" / "io2.py")  # a moved file is another tree
    assert files_digest(root) != first


def test_code_version_names_the_package_version_and_its_files():
    assert code_version().startswith(__version__ + "+") and len(code_version()) == len(__version__) + 13
