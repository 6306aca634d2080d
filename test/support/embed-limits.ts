import assert from 'node:assert/strict';

/** Asserts a reply's embeds stay inside Discord's documented embed limits. */
export function assertEmbedLimits(embeds: readonly unknown[]): void {
  assert.ok(embeds.length >= 1 && embeds.length <= 10, `1 to 10 embeds, got ${embeds.length}`);
  let total = 0;
  for (const raw of embeds) {
    const e = raw as {
      title?: string;
      description?: string;
      fields?: { name: string; value: string }[];
      footer?: { text: string };
      author?: { name: string };
    };
    const title = e.title ?? '';
    const description = e.description ?? '';
    const footer = e.footer?.text ?? '';
    const fields = e.fields ?? [];
    assert.ok(title.length <= 256, `title ${title.length} <= 256`);
    assert.ok(description.length <= 4096, `description ${description.length} <= 4096`);
    assert.ok(footer.length <= 2048, `footer ${footer.length} <= 2048`);
    assert.ok(fields.length <= 25, `${fields.length} fields <= 25`);
    total += title.length + description.length + footer.length + (e.author?.name.length ?? 0);
    for (const f of fields) {
      assert.ok(f.name.length > 0 && f.name.length <= 256, `field name ${f.name.length} in 1..256`);
      assert.ok(f.value.length > 0 && f.value.length <= 1024, `field value ${f.value.length} in 1..1024`);
      total += f.name.length + f.value.length;
    }
  }
  assert.ok(total <= 6000, `${total} characters in all <= 6000`);
}
