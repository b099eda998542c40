/**
 * The fields of /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) after the command name. The name, field 2,
 * is in parentheses and may itself hold spaces and parentheses, so the fields start after the last ")".
 * proc(5)'s field n is at index n - 3: state at 0, utime at 11, num_threads at 17, starttime at 19.
 */
export function procStatFields(text: string): string[] {
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}
