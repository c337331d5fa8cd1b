// The console's line editor: what a shell's readline does, for one line at a time, with a history
// of earlier lines (↑/↓). `key(data)` takes what the terminal sends for a key press (or a paste)
// and returns what to do: an echo to write, a line submitted, a completion wanted, an interrupt.

const ESC = "\x1b";

export class History {
  constructor(lines = [], limit = 500) {
    this.lines = lines.slice(-limit);
    this.limit = limit;
    this.position = this.lines.length;
    this.draft = "";
  }

  add(line) {
    if (line.trim() && this.lines[this.lines.length - 1] !== line) this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
    this.position = this.lines.length;
    this.draft = "";
  }

  /** The line before (-1) or after (+1) the one shown; `current` is kept as the draft. */
  move(step, current) {
    if (this.position === this.lines.length) this.draft = current;
    const next = Math.max(0, Math.min(this.lines.length, this.position + step));
    this.position = next;
    return next === this.lines.length ? this.draft : this.lines[next];
  }
}

export class LineEditor {
  constructor(history) {
    this.history = history;
    this.text = "";
    this.cursor = 0;
  }

  /** What rewrites the line: back to its start (from where the cursor was), the new text, blanks
   *  over what is left of a longer old line, then the cursor put back where it now is. */
  redraw(previousLength, cursorBefore) {
    const clear = Math.max(0, previousLength - this.text.length);
    const back = clear + this.text.length - this.cursor;
    return "\b".repeat(cursorBefore) + this.text + " ".repeat(clear) + "\b".repeat(back);
  }

  replace(text) {
    const [previous, cursorBefore] = [this.text.length, this.cursor];
    this.text = text;
    this.cursor = text.length;
    return this.redraw(previous, cursorBefore);
  }

  insert(chars) {
    const [previous, cursorBefore] = [this.text.length, this.cursor];
    this.text = this.text.slice(0, this.cursor) + chars + this.text.slice(this.cursor);
    this.cursor += chars.length;
    return this.redraw(previous, cursorBefore);
  }

  /**
   * One chunk of terminal input -> a list of actions:
   *   {echo}  text to write;  {submit: line};  {complete: true};  {interrupt: true};  {clear: true}
   */
  key(data) {
    const actions = [];
    const echo = (text) => text && actions.push({ echo: text });
    let i = 0;
    while (i < data.length) {
      const rest = data.slice(i);
      const char = data[i];
      if (rest.startsWith(`${ESC}[A`)) {
        echo(this.replace(this.history.move(-1, this.text)));
        i += 3;
      } else if (rest.startsWith(`${ESC}[B`)) {
        echo(this.replace(this.history.move(1, this.text)));
        i += 3;
      } else if (rest.startsWith(`${ESC}[C`)) {
        if (this.cursor < this.text.length) echo(this.text[this.cursor++]);
        i += 3;
      } else if (rest.startsWith(`${ESC}[D`)) {
        if (this.cursor > 0) {
          this.cursor--;
          echo("\b");
        }
        i += 3;
      } else if (rest.startsWith(`${ESC}[H`) || char === "\x01") {
        echo("\b".repeat(this.cursor));
        this.cursor = 0;
        i += char === "\x01" ? 1 : 3;
      } else if (rest.startsWith(`${ESC}[F`) || char === "\x05") {
        echo(this.text.slice(this.cursor));
        this.cursor = this.text.length;
        i += char === "\x05" ? 1 : 3;
      } else if (rest.startsWith(`${ESC}[3~`)) {
        if (this.cursor < this.text.length) {
          const previous = this.text.length;
          this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1);
          echo(this.text.slice(this.cursor) + " " + "\b".repeat(previous - this.cursor));
        }
        i += 4;
      } else if (char === ESC) {
        const match = /^\x1b\[[0-9;]*[A-Za-z~]/.exec(rest); // other keys: ignored
        i += match ? match[0].length : 1;
      } else if (char === "\r" || char === "\n") {
        const line = this.text;
        if (line.endsWith("\\")) {
          // a continuation, as a shell reads `\` at the end of a line
          this.text += "\n";
          this.cursor = this.text.length;
          actions.push({ echo: "\r\n> " });
        } else {
          this.history.add(line.replace(/\\\n/g, ""));
          this.text = "";
          this.cursor = 0;
          actions.push({ submit: line });
        }
        i += char === "\r" && data[i + 1] === "\n" ? 2 : 1;
      } else if (char === "\x7f" || char === "\b") {
        if (this.cursor > 0) {
          const previous = this.text.length;
          this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor);
          this.cursor--;
          echo("\b" + this.text.slice(this.cursor) + " " + "\b".repeat(previous - this.cursor));
        }
        i++;
      } else if (char === "\t") {
        actions.push({ complete: true });
        i++;
      } else if (char === "\x03") {
        actions.push({ interrupt: true });
        this.text = "";
        this.cursor = 0;
        i++;
      } else if (char === "\x0c") {
        actions.push({ clear: true });
        i++;
      } else if (char === "\x15") {
        echo(this.replace(""));
        i++;
      } else if (char < " ") {
        i++; // other control characters: ignored
      } else {
        let j = i;
        while (j < data.length && data[j] >= " " && data[j] !== "\x7f" && data[j] !== ESC) j++;
        echo(this.insert(data.slice(i, j)));
        i = j;
      }
    }
    return actions;
  }
}
