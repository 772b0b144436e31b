"""The source documents a case figure may cite: the texts of the seeds (DESIGN §5).

A target's `source` (scenarios/targets.py) is the file name of one of these documents, exactly
as in the seeds folder (`/work/shared/seeds/`, or `$CLUSTERLAB_SEEDS`). The list is kept here,
in the repository, so that a scenario checks the same on every machine, with or without the
texts: a mistyped or unknown name is refused with the names allowed. To cite a new document,
put its text in the seeds folder and add its file name and title here.

    check_source("004_c4a6e7acb6afb95f.txt")  -> None (known)
    check_source("004_c4a6e7acb6afb95.txt")   -> "not a source document (did you mean ...?)"
"""

from __future__ import annotations

import os
from pathlib import Path

from model.params import did_you_mean

#: file name in the seeds folder -> title (authors or editors, year where the text gives it)
DOCUMENTS = {
    "000_5840a593c1b4fdf3.txt": "中国中小企业发展报告 2005–2006: 中小企业发展与产业集群 (陈乃醒, 傅贤治 eds.)",
    "001_840a46f71a55b023.txt": "促进吉林省民营经济产业集群快速发展的对策研究 (陈守则, 徐俊昌)",
    "002_d2a98a86d1e80b52.txt": "中小产业集群创新 (a paper: concept, advantages, factors and policies of SME cluster innovation)",
    "003_74979417618a1abb.txt": "产业集群发展路径与竞争力研究——以江西省汽车零部件产业为例 (王有远, 吕昕阳)",
    "004_c4a6e7acb6afb95f.txt": "湖南小城镇优化研究",
}


def seeds_dir() -> Path:
    """Where the texts are: `$CLUSTERLAB_SEEDS`, else /work/shared/seeds (may be absent)."""
    return Path(os.environ.get("CLUSTERLAB_SEEDS", "/work/shared/seeds"))


def check_source(name) -> str | None:
    """None if `name` is a known source document, else what is wrong with it (for a Problem)."""
    if name in DOCUMENTS:
        return None
    hint = did_you_mean(name, DOCUMENTS) if isinstance(name, str) else ""
    return f"not a source document of the seeds{hint}"


def allowed() -> str:
    """The allowed names, for messages."""
    return "the file name of a seed document: " + ", ".join(DOCUMENTS) + " (scenarios/sources.py)"
