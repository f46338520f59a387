"""``kesu alert``: tell the people responsible when a deadline light turns yellow or red.

- ``plan``: which running timers are yellow or red, and who hears about each
  (the owner; on red the owner's superior; on red and high risk, operations);
- ``messages``: the one message per recipient, in the archive's language, with
  the customer masked;
- ``channels``: e-mail and the chat robots (WeCom, DingTalk, Feishu/Lark) and a
  plain JSON webhook, with time limits and retries;
- ``state``: what was already sent, kept on the git ref ``refs/kesu/alerts``
  of the archive's remote so that every clone running ``kesu alert`` knows;
- ``run``: the whole run: plan, claim, send, record.
"""
